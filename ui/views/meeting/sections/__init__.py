"""The sections of a case page, in reading order: in the room, previous actions, information
shared, victim and diversity issues, risk, plan, new actions, decisions.

Each section is a view (``...View``: its widgets and layout, no service calls) and a controller
subclassing it (``...Section``: its signals, conditional logic and the writes, through the
meeting screen's writer or the autosave hub). ``case_page.CasePage`` composes them."""
