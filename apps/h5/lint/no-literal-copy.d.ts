export declare const noLiteralCopySelectors: Array<{ selector: string; message: string }>;
