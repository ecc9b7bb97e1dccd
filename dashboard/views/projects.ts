export const PROJECTS = `<h1><%= it.t.projects %></h1>
<% if (it.historyNote) { %><p class="notice" id="history-note"><%= it.historyNote %></p><% } %>
<div class="filters"><span><%= it.t.filter %>:</span>
<% for (const f of it.filters) { %><a href="<%= f.href %>"<% if (f.current) { %> aria-current="true"<% } %>><%= f.label %> (<%= f.count %>)</a><% } %>
</div>
<% if (it.rows.length === 0) { %><p><%= it.t.noProjects %></p><% } else { %>
<div class="table-wrap"><table id="projects">
<thead><tr>
<% for (const h of it.headers) { %><th<% if (h.num) { %> class="num<% if (h.narrow) { %> hide-narrow<% } %>"<% } else if (h.narrow) { %> class="hide-narrow"<% } %>><% if (h.href) { %><a href="<%= h.href %>"><%= h.label %><%= h.arrow %></a><% } else { %><%= h.label %><% } %></th><% } %>
</tr></thead>
<tbody>
<% for (const p of it.rows) { %><tr id="project-<%= p.name %>" class="<%= p.status %>" data-project="<%= p.name %>" data-status="<%= p.status %>">
<td><strong><%= p.name %></strong><% if (p.reason) { %><div class="muted"><%= p.reason %></div><% } %></td>
<td><span class="badge <%= p.status %>"><%= it.t[p.status] %></span></td>
<td class="num"><%= p.response %></td>
<td class="hide-narrow"><%~ p.spark %></td>
<td class="num"><%= p.availability %></td>
<td class="num hide-narrow"><%= p.tlsDays %></td>
<td class="hide-narrow"><% if (p.deployment) { %><a href="<%= it.base %>/deployments/<%= encodeURIComponent(p.deployment.id) %>"><span class="badge <%= p.deployment.resultClass %>"><%= p.deployment.result %></span></a> <span class="muted"><%= p.deployment.when %></span><% } %></td>
<td class="hide-narrow muted"><%= p.lastCheck %></td>
<td><% if (p.grafana) { %><a href="<%= p.grafana %>"><%= it.t.grafana %></a> <% } %><% if (p.kibana) { %><a href="<%= p.kibana %>"><%= it.t.kibana %></a> <% } %><% if (p.site) { %><a href="<%= p.site %>" rel="noopener noreferrer"><%= it.t.site %></a><% } %>
<% if (it.canCheck) { %><form class="inline" method="post" action="<%= it.base %>/projects/<%= encodeURIComponent(p.name) %>/check"><button type="submit"><%= it.t.checkNow %></button></form><% } %></td>
</tr>
<% } %></tbody></table></div>
<% } %>`;
