"""Thai text as readers need it: character classes (``chars``), dictionary words
(``words``), repair of what PDF text layers break (``repair``) and how broken a text is
(``quality``)."""
