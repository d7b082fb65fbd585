/** A control-API input the emulator refuses (400 unless told otherwise); answered as `{ error }`. */
export class ControlInputError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'ControlInputError';
  }
}
