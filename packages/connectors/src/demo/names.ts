// Name pools for synthetic people: common names plus the accented, hyphenated and apostrophe
// names that break naive exports (the demo data should exercise them).
export const LAST_NAMES = [
  'Garcia', 'Smith', 'Nguyễn', 'Hernández', 'Johnson', 'Lopez', 'Kim', 'Patel', 'Williams', 'Martínez',
  "O'Brien", 'García-López', 'Müller', 'Brown', 'Chen', 'Davis', 'Rodríguez', 'Singh', 'Wilson', 'Anderson',
  'Nakamura', 'Thomas', 'Pérez', 'Taylor', 'Moore', 'Jackson', 'Lê', 'Sánchez', 'White', 'Harris',
  'Ramírez', 'Clark', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'Núñez', 'Wright', 'Scott',
  'Torres', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell',
  'Mitchell', 'Carter', 'Roberts', 'Phạm', 'Gómez', 'Phillips', 'Evans', 'Turner', 'Díaz', 'Parker',
  'Cruz', 'Edwards', 'Collins', 'Reyes', 'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers',
  'Gutiérrez', 'Ortiz', 'Morgan', 'Cooper', 'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos',
  'Kowalski', 'Søren', 'Björk', 'Zhāng', 'Okafor', 'Haddad', 'Ibrahim', 'Yilmaz', 'Dubois', 'Rossi',
];

export const FIRST_NAMES = [
  'Sofía', 'Liam', 'Olivia', 'Noah', 'Emma', 'Mateo', 'Ava', 'Santiago', 'Isabella', 'Lucas',
  'Mia', 'Ethan', 'Zoë', 'Aiden', 'Camila', 'Jayden', 'Chloé', 'Diego', 'Harper', 'Elijah',
  'Amelia', 'Benjamin', 'Evelyn', 'Sebastián', 'Abigail', 'James', 'Emily', 'Leo', 'Ximena', 'Daniel',
  'Valentina', 'Gabriel', 'Renée', 'Samuel', 'Grace', 'Joaquín', 'Lily', 'Angel', 'Aria', 'Adrián',
  'Hana', 'Minh', 'Priya', 'Arjun', 'Mei', 'Yusuf', 'Amara', 'Kai', 'Nayeli', 'Thảo',
  'Anne-Marie', 'Jean-Luc', 'Siobhán', 'Björn', 'Léa', 'Maëlle', 'Ömer', 'Zoey', 'Luis', 'Rosa',
];

export const SCHOOLS = [
  { CD: 991, NM: 'Lincoln Elementary', SNM: 'LINCOLN', LO: -1, HI: 5 },
  { CD: 992, NM: 'Washington Elementary', SNM: 'WASHNGTN', LO: -2, HI: 5 },
  { CD: 993, NM: 'Roosevelt Middle', SNM: 'ROOSEVLT', LO: 6, HI: 8 },
  { CD: 994, NM: 'Jefferson High', SNM: 'JEFFERSN', LO: 9, HI: 12 },
  { CD: 995, NM: 'César Chávez Academy', SNM: 'CHAVEZ', LO: 0, HI: 8 },
] as const;

export const STAFF_TITLES = ['Teacher', 'Teacher', 'Teacher', 'Teacher', 'Librarian', 'Principal', 'Counselor', 'Office Manager', 'Custodian', 'Aide'];

export const COURSES = [
  ['0100', 'English 1'], ['0101', 'English 2'], ['0102', 'English 3'], ['0103', 'English 4'],
  ['0200', 'Algebra 1'], ['0201', 'Geometry'], ['0202', 'Algebra 2'], ['0203', 'Pre-Calculus'],
  ['0300', 'Biology'], ['0301', 'Chemistry'], ['0302', 'Physics'], ['0400', 'World History'],
  ['0401', 'U.S. History'], ['0402', 'Government'], ['0500', 'Spanish 1'], ['0501', 'Spanish 2'],
  ['0600', 'Physical Education'], ['0700', 'Art'], ['0701', 'Music'], ['0800', 'Homeroom'],
] as const;
