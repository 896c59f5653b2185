"""Fictional people's names and street names, shared by the seeders."""

FIRST_NAMES_FEMALE = [
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Ingrid", "Linnea",
    "Sofia", "Elin", "Ida", "Johanna", "Malin", "Amira", "Fatima", "Hanna", "Julia", "Ebba",
    "Agnes", "Maja", "Alva", "Nora", "Leila", "Birgitta", "Ulla", "Camilla", "Therese", "Jenny",
]
FIRST_NAMES_MALE = [
    "Lars", "Anders", "Johan", "Per", "Erik", "Karl", "Mikael", "Peter", "Jan", "Hassan",
    "Ali", "Oskar", "Lucas", "Elias", "Hugo", "Viktor", "Ahmed", "Mohammed", "Nils", "Olof",
    "Stefan", "Mats", "Fredrik", "Daniel", "Tobias", "Emil", "Sven", "Göran", "Jonas", "Kent",
]
LAST_NAMES = [
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson",
    "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson", "Lindqvist",
    "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren", "Mattsson",
    "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Ali", "Mohammed", "Nyström", "Holm",
    "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson", "Lundin", "Håkansson", "Björk",
]
STREETS = [
    "Storgatan", "Kyrkvägen", "Skolgatan", "Björkvägen", "Ekbacken", "Tingsvägen", "Lindvägen",
    "Mossvägen", "Allévägen", "Ängsvägen", "Bergsgatan", "Västra vägen", "Granstigen",
]
