//! Name lists for generated users.

pub(crate) const FIRST: &[&str] = &[
    "Aarav", "Abigail", "Ada", "Adam", "Aisha", "Alejandro", "Alice", "Amara", "Amelia", "Ana",
    "Andrei", "Anna", "Ari", "Ava", "Benjamin", "Bianca", "Carlos", "Charlotte", "Chen", "Chloe",
    "Daniel", "David", "Diego", "Elena", "Eli", "Emily", "Emma", "Ethan", "Fatima", "Felix",
    "Freya", "Gabriel", "Grace", "Hana", "Hannah", "Hiro", "Ibrahim", "Isabella", "Ivan", "Jack",
    "James", "Javier", "Julia", "Kai", "Kenji", "Laila", "Leo", "Liam", "Lucas", "Lucia", "Maya",
    "Mei", "Mia", "Mohammed", "Noah", "Nora", "Olivia", "Omar", "Priya", "Rafael", "Ravi", "Rosa",
    "Sakura", "Samuel", "Sara", "Sofia", "Tariq", "Thomas", "Valentina", "Wei", "Yara", "Yusuf",
    "Zara", "Zoë",
];

pub(crate) const LAST: &[&str] = &[
    "Abebe", "Adams", "Ahmed", "Alvarez", "Andersen", "Bauer", "Becker", "Brown", "Chen", "Costa",
    "Dubois", "Evans", "Fernandes", "Fischer", "García", "Gonzalez", "Gupta", "Hansen", "Hernández",
    "Hoffmann", "Ibrahim", "Ivanova", "Jansen", "Johnson", "Kim", "Kowalski", "Kumar", "Larsen",
    "Lee", "Li", "Lopez", "Martin", "Müller", "Nakamura", "Nguyen", "Novak", "O'Brien", "Okafor",
    "Olsen", "Patel", "Perez", "Petrov", "Rossi", "Santos", "Sato", "Schmidt", "Silva", "Singh",
    "Smith", "Suzuki", "Tanaka", "Taylor", "Thomas", "Wagner", "Wang", "Williams", "Wilson", "Yamamoto",
    "Zhang",
];

/// ASCII form of a name for email addresses.
pub(crate) fn ascii(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'á' | 'à' => Some('a'),
            'é' | 'ë' => Some('e'),
            'í' => Some('i'),
            'ó' => Some('o'),
            'ü' | 'ú' => Some('u'),
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}
