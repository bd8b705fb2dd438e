"""cojourney: design, measure and improve customer journeys (ITIL 4 Drive Stakeholder Value)."""
