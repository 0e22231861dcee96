"""The shared toolkit every app builds its documents with (not an app: no models, and it imports
no app): PDF fonts and text fitting (``pdf``), reading spreadsheets and their limits, and the
cells every export writes (``sheets``), uploads kept between a preview and its confirmation with
the progress of the job that saves them (``uploads``), the streaming .xlsx writer (``xlsx``) and
the small JSON files and folders the workers and the web server share (``folders``)."""
