/** A one-line progress bar on a terminal; silent when the stream is a file or a pipe. */
export interface Progress {
  tick(label: string): void;
  done(): void;
}

const barWidth = 28;

type Stream = Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'columns'>;

export function createProgress(stream: Stream, title: string, total: number): Progress {
  if (!stream.isTTY || total === 0) return { tick() {}, done() {} };
  // A terminal that reports no width (a pty without a size) gets the classic 80 columns.
  const width = () => Math.max(20, stream.columns || 80) - 1;
  let count = 0;
  const draw = (label: string) => {
    const filled = Math.round((count / total) * barWidth);
    const line = `${title} [${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}] ${count}/${total} ${label}`;
    stream.write(`\r${line.slice(0, width()).padEnd(width())}`);
  };
  draw('');
  return {
    tick(label) {
      count++;
      draw(label);
    },
    done() {
      stream.write(`\r${' '.repeat(width())}\r`);
    },
  };
}
