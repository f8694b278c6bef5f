import { Module } from '@nestjs/common';
import { ClusterInfoService } from './cluster-info.service';

/** Provides the ClusterInfoService (`GET /`). */
@Module({ providers: [ClusterInfoService], exports: [ClusterInfoService] })
export class ClusterInfoModule {}
