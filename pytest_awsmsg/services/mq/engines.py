"""The broker engines the wire serves; importing one registers it (see wire.register_engine)."""
