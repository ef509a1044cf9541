/**
 * How many connections (or streams) each client address holds open, for the per-address caps of
 * every server on the port: HTTP connections, WebSockets, Socket.IO clients, gRPC tick streams.
 */
export class AddressCounts {
  private readonly open = new Map<string, number>();

  of(address: string): number {
    return this.open.get(address) ?? 0;
  }

  add(address: string): void {
    this.open.set(address, this.of(address) + 1);
  }

  /** One fewer; an address that holds none is forgotten, so the map stays as small as the clients. */
  remove(address: string): void {
    const left = this.of(address) - 1;
    if (left > 0) this.open.set(address, left);
    else this.open.delete(address);
  }
}
