/** The environment the Alertmanager tests render alertmanager.yml with (the .env.example names). */
export const SAMPLE_ENV = {
  SMTP_SMARTHOST: 'smtp.example.com:587',
  SMTP_FROM: 'vigil@example.com',
  SMTP_USERNAME: 'vigil',
  SMTP_PASSWORD: 'not-a-real-password',
  ALERT_EMAIL_TO: 'ops@example.com',
  VIGIL_RELAY_URL: 'http://127.0.0.1:9',
  WATCHDOG_URL: 'http://127.0.0.1:9/alerts/watchdog',
} as const;
