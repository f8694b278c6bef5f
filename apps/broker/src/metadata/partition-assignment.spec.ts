import { newPartitionAssignmentProblem } from './partition-assignment';

describe('newPartitionAssignmentProblem', () => {
  it('accepts no assignments (broker placement) and one [self] per new partition', () => {
    expect(newPartitionAssignmentProblem(null, 2, 1, 1)).toBeNull();
    expect(newPartitionAssignmentProblem([{ brokerIds: [3] }, { brokerIds: [3] }], 2, 1, 3)).toBeNull();
  });

  it('refuses a replica count that differs from the replication factor', () => {
    expect(newPartitionAssignmentProblem([{ brokerIds: [1] }], 1, 2, 1)).toMatch(/1 replica\(s\).*which have 2 replica\(s\)/);
  });

  it('refuses a wrong number of assignments, also zero for one new partition', () => {
    expect(newPartitionAssignmentProblem([], 1, 1, 1)).toMatch(/add 1 additional partition\(s\), but 0 assignment/);
  });
});
