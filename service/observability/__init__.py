"""What operators see: request ids, JSON logs, health and readiness, Prometheus metrics, worker heartbeats."""
