"""Areas, people and roles, the core every case type stands on; with them the rollups
(日清周评月考核), the dashboards, the configuration pages, the audit log and the task outbox."""
