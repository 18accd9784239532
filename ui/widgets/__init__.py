"""Small widget builders shared by every screen (one way of doing each thing)."""
