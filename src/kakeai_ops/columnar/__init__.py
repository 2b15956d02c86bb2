"""Column helpers under every layer: Arrow string buffers, hash lookups, and work done
once per distinct value. The tricks that keep 2.5M-row exports fast live here, once."""
