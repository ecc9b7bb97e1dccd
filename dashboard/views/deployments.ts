export const DEPLOYMENTS = `<h1><%= it.t.deployments %></h1>
<% if (it.project) { %><p><%= it.t.project %>: <strong><%= it.project %></strong> · <a href="<%= it.base %>/deployments"><%= it.t.all %></a><% if (it.grafana) { %> · <a href="<%= it.grafana %>"><%= it.t.grafana %></a><% } %></p><% } %>
<%~ include('@runs', it) %>`;

export const RUN = `<h1><%= it.run.project %> · <%= it.run.workflow %> <span class="badge <%= it.run.resultClass %>" id="run-result"><%= it.run.result %></span></h1>
<div class="table-wrap"><table>
<tr><th><%= it.t.run %></th><td><%= it.run.id %></td></tr>
<tr><th><%= it.t.environment %></th><td><%= it.run.environment %></td></tr>
<tr><th><%= it.t.started %></th><td><%= it.run.started %></td></tr>
<tr><th><%= it.t.duration %></th><td><%= it.run.duration %></td></tr>
<% if (it.run.branch) { %><tr><th><%= it.t.branch %></th><td><%= it.run.branch %></td></tr><% } %>
<% if (it.run.commit) { %><tr><th><%= it.t.commit %></th><td><code><%= it.run.commit %></code></td></tr><% } %>
<% if (it.run.actor) { %><tr><th><%= it.t.actor %></th><td><%= it.run.actor %></td></tr><% } %>
<tr><th><%= it.t.links %></th><td><% if (it.run.github) { %><a href="<%= it.run.github %>" rel="noopener noreferrer"><%= it.t.github %></a> <% } %><% if (it.run.kibana) { %><a href="<%= it.run.kibana %>"><%= it.t.kibana %></a> <% } %><% if (it.run.grafana) { %><a href="<%= it.run.grafana %>"><%= it.t.grafana %></a><% } %></td></tr>
</table></div>
<h2><%= it.t.jobsAndSteps %></h2>
<div class="table-wrap"><table id="timeline">
<thead><tr><th><%= it.t.name %></th><th><%= it.t.result %></th><th class="num"><%= it.t.queue %></th><th class="num"><%= it.t.duration %></th><th class="timeline"></th></tr></thead>
<tbody>
<% for (const row of it.timeline) { %><tr class="<%= row.kind %>" data-kind="<%= row.kind %>" data-result="<%= row.resultClass %>">
<td><% if (row.url) { %><a href="<%= row.url %>" rel="noopener noreferrer"><%= row.name %></a><% } else { %><%= row.name %><% } %></td>
<td><span class="badge <%= row.resultClass %>"><%= row.result %></span></td>
<td class="num"><%= row.queue %></td>
<td class="num"><%= row.duration %></td>
<td class="timeline"><%~ row.bar %></td>
</tr>
<% } %></tbody></table></div>
<h2><%= it.t.logs %></h2>
<% if (it.logs.length === 0) { %><p class="muted"><%= it.t.noLogs %></p><% } else { %>
<pre class="logs" id="logs"><% for (const l of it.logs) { %><span class="level-<%= l.levelClass %>"><%= l.timestamp %> <%= l.level %> <%= l.where %> <%= l.message %></span>
<% } %></pre><% } %>`;
