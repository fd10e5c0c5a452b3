// Entry point of the stand-alone debug adapter (dist/debugAdapter.js): DAP over stdio.
import { DebugSession } from '@vscode/debugadapter';
import { LockstepDebugSession } from './session';

DebugSession.run(LockstepDebugSession);
