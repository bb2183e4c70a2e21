"""msgspec Structs of request and response bodies, one module per resource."""
