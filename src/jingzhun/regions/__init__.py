"""Administrative divisions (行政区划): county → township → village, poor-village flags and exits."""
