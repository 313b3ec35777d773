"""The showcase's tests import the app as ``orders`` (this folder is on sys.path
because pytest puts a conftest's folder there)."""
