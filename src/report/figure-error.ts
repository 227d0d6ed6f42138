/** Its own file so the chart helpers (which experiments import) can throw it without loading vega. */
/** A figure that cannot be rendered; the message names the figure. */
export class FigureError extends Error {
  constructor(
    readonly figureId: string,
    message: string,
  ) {
    super(message);
    this.name = 'FigureError';
  }
}
