"""Every read that circulation's pages, its services and other apps use, one module per
sub-domain (the same names as in services/, views/ and forms/), each in a constant number of
queries; what a template shows is decided here."""
