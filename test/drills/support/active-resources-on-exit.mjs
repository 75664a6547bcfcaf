// Loaded with `node --import` into a bin under test: on exit, writes what the process still held
// open (process.getActiveResourcesInfo(): sockets, timers) to the file in CLAWOPS_TEST_RESOURCES_FILE,
// one name a line. A process that waited for every socket to close holds no TCPSocketWrap then.
import { writeFileSync } from 'node:fs';

const file = process.env.CLAWOPS_TEST_RESOURCES_FILE;
if (file) process.on('exit', () => writeFileSync(file, `${process.getActiveResourcesInfo().join('\n')}\n`));
