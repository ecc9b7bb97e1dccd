/**
 * The rule for a `project` label value, shared by the pipeline events API (which refuses other
 * names with 422) and GitHub webhooks (which count other repository names as `other`).
 */
export const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export const PROJECT_NAME_RULE = 'expected a project name of letters, digits, ".", "_" and "-" (at most 100)';

/** The project label of a GitHub delivery whose repository name breaks the rule. */
export const INVALID_PROJECT_LABEL = 'other';
