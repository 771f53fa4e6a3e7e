"""企业联系点 (人大代表联络站 and the like): designation and the appeals collected through them."""
