export const ALERTS = `<h1><%= it.t.alerts %></h1>
<% if (!it.configured) { %><p class="notice"><%= it.t.alertsUnconfigured %></p>
<% } else if (it.reason) { %><p class="notice" id="alerts-failed"><%= it.t.alertsFailed %>: <%= it.reason %></p>
<% } else if (it.groups.length === 0) { %><p><%= it.t.noFiring %></p>
<% } else { %>
<% for (const g of it.groups) { %>
<h2 data-group="<%= g.project %>/<%= g.severity %>"><%= g.project || it.t.noProject %> · <span class="badge <%= g.severity %>"><%= g.severity %></span><% if (g.grafana) { %> · <a href="<%= g.grafana %>"><%= it.t.board %></a><% } %></h2>
<div class="table-wrap"><table>
<thead><tr><th><%= it.t.alert %></th><th><%= it.t.status %></th><th class="hide-narrow"><%= it.t.since %></th><th><%= it.t.links %></th></tr></thead>
<tbody><% for (const a of g.alerts) { %><tr data-alert="<%= a.name %>" data-state="<%= a.state %>">
<td><strong><%= a.name %></strong><% if (a.summary) { %><div class="muted"><%= a.summary %></div><% } %></td>
<td><span class="badge <%= a.state === 'firing' ? g.severity : 'silenced' %>"><%= it.t[a.state] %></span></td>
<td class="hide-narrow"><%= a.since %></td>
<td><% if (a.silence) { %><a href="<%= a.silence %>"><%= it.t.silence %></a> <% } %><% if (a.dashboardUrl) { %><a href="<%= a.dashboardUrl %>"><%= it.t.board %></a> <% } %><% if (a.runbookUrl) { %><a href="<%= a.runbookUrl %>"><%= it.t.runbook %></a><% } %></td>
</tr><% } %></tbody></table></div>
<% } %>
<% } %>`;
