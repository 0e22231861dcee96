"""Every write of the reading activities, one module per sub-domain (notes, cards, review, rules)."""
