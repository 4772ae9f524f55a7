// Follett Destiny's patron fields as its Patron Import Converter names them ("Available Destiny
// Fields": the CSV column a district's template uses, the `field_…` name of the converter's
// properties file, and the documented maximum length).
export interface PatronField {
  /** The column name Destiny's templates and documentation use. */
  column: string;
  /** The name in the Patron Import Converter's properties file. */
  property: string;
  max: number;
}

const address = (n: 1 | 2, which: 'Primary' | 'Secondary'): PatronField[] => [
  { column: `Address ${n} Line 1`, property: `field_address${which}Line1`, max: 90 },
  { column: `Address ${n} Line 2`, property: `field_address${which}Line2`, max: 90 },
  { column: `Address ${n} City`, property: `field_address${which}City`, max: 90 },
  { column: `Address ${n} State`, property: `field_address${which}State`, max: 90 },
  { column: `Address ${n} Zip`, property: `field_address${which}ZipCode`, max: 90 },
  { column: `Address ${n} Phone 1`, property: `field_address${which}PhoneNumberPrimary`, max: 90 },
  { column: `Address ${n} Phone 2`, property: `field_address${which}PhoneNumberSecondary`, max: 90 },
];

export const PATRON_FIELDS: readonly PatronField[] = [
  { column: 'Site Short Name', property: 'field_siteShortName', max: 10 },
  { column: 'Barcode', property: 'field_barcode', max: 14 },
  { column: 'District ID', property: 'field_districtID', max: 40 },
  { column: 'Last Name', property: 'field_lastName', max: 42 },
  { column: 'First Name', property: 'field_firstName', max: 42 },
  { column: 'Middle Name', property: 'field_middleName', max: 42 },
  { column: 'Nickname', property: 'field_nickname', max: 30 },
  { column: 'Patron Type', property: 'field_patronType', max: 30 },
  { column: 'Access Level', property: 'field_accessLevel', max: 30 },
  { column: 'Resource Group', property: 'field_resourceGroup', max: 30 },
  { column: 'Status', property: 'field_status', max: 1 },
  { column: 'Gender', property: 'field_gender', max: 1 },
  { column: 'Homeroom', property: 'field_homeroom', max: 90 },
  { column: 'Grade Level', property: 'field_gradeLevel', max: 30 },
  { column: 'Card Expires', property: 'field_cardExpires', max: 10 },
  { column: 'Acceptable Use Policy on File', property: 'field_isAcceptableUsePolicyOnFile', max: 5 },
  { column: 'Is Teacher', property: 'field_isTeacher', max: 5 },
  ...[1, 2, 3, 4, 5].map((n) => ({ column: `User Defined ${n}`, property: `field_userDefined${n}`, max: 30 })),
  { column: 'Graduation Year', property: 'field_graduationYear', max: 4 },
  { column: 'Birth Date', property: 'field_birthdate', max: 10 },
  { column: 'User Name', property: 'field_username', max: 50 },
  { column: 'Password', property: 'field_password', max: 50 },
  { column: 'Email 1', property: 'field_emailPrimary', max: 200 },
  { column: 'Email 2', property: 'field_emailSecondary', max: 200 },
  ...address(1, 'Primary'),
  ...address(2, 'Secondary'),
];

const byName = new Map<string, PatronField>();
for (const f of PATRON_FIELDS) {
  byName.set(f.column.toLowerCase(), f);
  byName.set(f.property.toLowerCase(), f);
}

/** The Destiny field a column is named after (its template name or its `field_…` name, any case). */
export function patronField(column: string): PatronField | undefined {
  return byName.get(column.trim().toLowerCase());
}
