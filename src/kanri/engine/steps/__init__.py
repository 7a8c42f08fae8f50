"""Step kinds, one module each; `kanri.engine.registry.kinds()` imports them all."""
