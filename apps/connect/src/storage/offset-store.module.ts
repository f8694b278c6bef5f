import { Module } from '@nestjs/common';
import { OffsetStore } from './offset-store';

/** Provides the OffsetStore (connect-offsets topic). */
@Module({ providers: [OffsetStore], exports: [OffsetStore] })
export class OffsetStoreModule {}
