"""What operators watch (issue 19): ``/metrics`` for Prometheus, JSON logs with a request
id carried from a request into the jobs it queued."""
