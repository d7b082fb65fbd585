import { afterEach, beforeEach } from 'vitest';
import { startWechatEmulator, type EmulatorHandle } from '../index';
import { startNotifyReceiver, type NotifyReceiver } from './notify-receiver';

/** What `useEmulatorWithReceiver` gives a test: filled in `beforeEach`. */
export interface EmulatorWithReceiver {
  emulator: EmulatorHandle;
  receiver: NotifyReceiver;
}

/** A fresh emulator (notify schedule scaled to milliseconds) and a notify receiver for every test of a file. */
export function useEmulatorWithReceiver(): Readonly<EmulatorWithReceiver> {
  const shared = {} as EmulatorWithReceiver;
  beforeEach(async () => {
    shared.emulator = await startWechatEmulator({ port: 0, notifyTimeScale: 0.001 });
    shared.receiver = await startNotifyReceiver();
  });
  afterEach(async () => {
    await shared.emulator.close();
    await shared.receiver.close();
  });
  return shared;
}
