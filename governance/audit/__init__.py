"""The audit log (网络日志): sign-ins, failed sign-ins, lockouts, access denials, exports,
changes of roles and views of personal data, append-only and kept at least
`retention.MINIMUM_RETENTION_DAYS` (网络安全法 §21). Anything records an event with
`services.audit_record(...)`."""
