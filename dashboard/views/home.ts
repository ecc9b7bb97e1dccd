export const HOME = `<h1><%= it.t.home %></h1>
<h2><%= it.t.components %></h2>
<div class="cards">
<% for (const c of it.components) { %>
<div class="card <%= c.health %>" data-component="<%= c.name %>">
<h3><% if (c.link) { %><a href="<%= c.link %>"><%= c.label %></a><% } else { %><%= c.label %><% } %></h3>
<span class="badge <%= c.health %>"><%= it.t[c.health] %></span>
<% if (c.version) { %> <span class="muted"><%= it.t.version %> <%= c.version %></span><% } %>
<% if (c.detail) { %><div class="muted"><%= c.detail %></div><% } %>
</div>
<% } %>
</div>

<h2><%= it.t.alerts %></h2>
<% if (!it.alerts.configured) { %><p class="muted"><%= it.t.alertsUnconfigured %></p>
<% } else if (it.alerts.reason) { %><p class="notice"><%= it.t.alertsFailed %>: <%= it.alerts.reason %></p>
<% } else if (it.alerts.firing.length === 0) { %><p><%= it.t.noFiring %></p>
<% } else { %><p id="firing"><% for (const s of it.alerts.firing) { %><a href="<%= it.base %>/alerts"><span class="badge <%= s.severity %>"><%= s.severity %>: <%= s.count %></span></a> <% } %></p><% } %>

<h2><%= it.t.projectsDown %></h2>
<% if (it.down.length === 0) { %><p><%= it.t.noneDown %></p><% } else { %>
<ul id="projects-down"><% for (const p of it.down) { %><li><a href="<%= it.base %>/projects?status=down#project-<%= p.name %>"><%= p.name %></a> <span class="muted"><%= p.reason %></span></li><% } %></ul>
<% } %>

<h2><%= it.t.latestDeployments %></h2>
<%~ include('@runs', it) %>
`;

export const RUNS = `<% if (it.runs.length === 0) { %><p><%= it.t.noDeployments %></p><% } else { %>
<div class="table-wrap"><table id="runs">
<thead><tr><th><%= it.t.project %></th><th><%= it.t.workflow %></th><th class="hide-narrow"><%= it.t.environment %></th><th><%= it.t.result %></th><th class="hide-narrow"><%= it.t.started %></th><th class="num"><%= it.t.duration %></th></tr></thead>
<tbody>
<% for (const r of it.runs) { %><tr data-run="<%= r.id %>">
<td><%= r.project %></td>
<td><a href="<%= it.base %>/deployments/<%= encodeURIComponent(r.id) %>"><%= r.workflow %></a></td>
<td class="hide-narrow"><%= r.environment %></td>
<td><span class="badge <%= r.resultClass %>"><%= r.result %></span></td>
<td class="hide-narrow"><%= r.started %></td>
<td class="num"><%= r.duration %></td>
</tr>
<% } %></tbody></table></div>
<% } %>`;
