/** Where the generated types are committed. */
export declare const TYPES_FILE: string;
/** The TypeScript types (`paths`, `components`, `operations`) of an OpenAPI document. */
export declare function typesText(doc: unknown): Promise<string>;
