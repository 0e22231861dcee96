"""Circulation's pages, one module per sub-domain (the same names as in services/,
selectors/ and forms/): thin, they check the right, bind the form, call one service or
selector and render. The site's home router is library_site.accounts.views.home; the home
pages circulation gives it are registered in circulation/apps.py."""
