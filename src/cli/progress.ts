/** A one-line progress bar on a terminal; silent when the stream is a file or a pipe. */
export interface Progress {
  tick(label: string): void;
  done(): void;
}

const width = 28;

export function createProgress(stream: NodeJS.WriteStream, title: string, total: number): Progress {
  if (!stream.isTTY || total === 0) return { tick() {}, done() {} };
  let count = 0;
  const draw = (label: string) => {
    const filled = Math.round((count / total) * width);
    const columns = stream.columns ?? 80;
    const line = `${title} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count}/${total} ${label}`;
    stream.write(`\r${line.slice(0, columns - 1).padEnd(columns - 1)}`);
  };
  draw('');
  return {
    tick(label) {
      count++;
      draw(label);
    },
    done() {
      stream.write(`\r${' '.repeat((stream.columns ?? 80) - 1)}\r`);
    },
  };
}
