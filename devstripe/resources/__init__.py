"""The stand-in's operations, one module per Stripe resource; `devstripe.server.StandIn` combines them."""
