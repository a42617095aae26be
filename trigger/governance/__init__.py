"""Information governance: retention and anonymisation, legal holds, operational purges, subject access, the
"Data we hold" register and the public notices (privacy notice, accessibility statement)."""
