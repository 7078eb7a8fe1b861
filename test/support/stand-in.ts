/**
 * Fields of a stand-in cell command's config (`x`, `fail`, `head`; test/sweep/fixtures/cell.ts):
 * not the project's config, so outside its typed overrides, grids and selectors. The sweep, grid
 * and evidence code handle them like any field; their type is stated here, once, for the tests.
 */
export function standIn<T extends object>(fields: Record<string, unknown>): T {
  return fields as unknown as T;
}

/** Stand-in cells, one per label, told apart by a field `k` equal to the label. */
export function kCells(...labels: string[]): { label: string; overrides: { k: string } }[] {
  return labels.map((label) => ({ label, overrides: { k: label } }));
}
