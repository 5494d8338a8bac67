from django.dispatch import Signal

# Sent after a glossary term is saved or deleted, with the terms whose rendering may change.
glossary_changed = Signal()
