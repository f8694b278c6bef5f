import { Module } from '@nestjs/common';
import { StatusStore } from './status-store';

/** Provides the StatusStore (connect-status topic). */
@Module({ providers: [StatusStore], exports: [StatusStore] })
export class StatusStoreModule {}
