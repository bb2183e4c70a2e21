"""Streaming endpoints: Server-Sent Events now; WebSocket streams build on the same hub."""
