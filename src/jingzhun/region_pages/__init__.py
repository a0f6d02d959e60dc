"""Region pages (行政区划页面): county → township → village with the register's counts, the 村情 edit
page, the picker's village list and the regions API. Above `registry` (they count its households);
the divisions themselves are reference data in `regions`, below `accounts`."""
