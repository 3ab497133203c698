"""What the suite's library and the image builder share without depending on each other: the one
wait helper and the table of supported Kubernetes releases. Standard library only."""
