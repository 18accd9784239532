"""The small UI toolkit every screen builds on (issue 12 §3): ``style`` gives the colours."""
