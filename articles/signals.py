from django.dispatch import Signal

# Sent after a glossary term is saved or deleted, with the terms whose rendering may change
# (terms=None: everything changed, e.g. `reconvert` after an OpenCC upgrade).
glossary_changed = Signal()
