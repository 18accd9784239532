"""The workflows the GUI and the command line share: signing off, issuing, distributing and
verifying minutes (issue 12 §5). They use the services and a session, and are given the
rendering (``rendering.Renderer``, implemented in ``reports``) by the composition roots, so the
core never imports ``reports`` and ``reports`` never sees a session."""
