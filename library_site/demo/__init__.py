"""The demo school: a small top app that composes the others (accounts, circulation's readers
and classes, the catalogue's books) into a school to try the system with. It is the one package
inside library_site that may import the apps; nothing imports it."""
