"""The HR console: a web application for HR (review queue, documents, FAQ batch, report, privacy, audit log)."""
