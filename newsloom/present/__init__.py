"""Ways to show what the store holds: terminal summaries, exports, the HTML report, the web app."""
